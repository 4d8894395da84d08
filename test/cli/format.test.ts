/** Counts are printed one way everywhere (`13,559`), with their noun pluralised. */
import { describe, expect, it } from "vitest"
import { AuditFindings } from "../../infrastructure/cli/shared/exit.ts"
import { counted, formatCount } from "../../infrastructure/cli/shared/format.ts"

describe("counts", () => {
  it("are grouped by thousands and pluralised", () => {
    expect(formatCount(13559)).toBe("13,559")
    expect(counted(0, "line")).toBe("0 lines")
    expect(counted(1, "line")).toBe("1 line")
    expect(counted(13559, "line")).toBe("13,559 lines")
    expect(counted(1, "line was", "lines were")).toBe("1 line was")
  })

  it("read the same on stderr as in the report", () => {
    expect(new AuditFindings({ stranded: 13559, violations: 1 }).message).toBe(
      "audit findings: 13,559 stranded events, 1 violated invariant",
    )
  })
})
