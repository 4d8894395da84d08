import { layerEventStoreFromUrl } from "../../infrastructure/stores/store-layer.ts"
import { describeEventStoreContract } from "./event-store-contract.ts"
import { dropSchema, pgTestSchema } from "./postgres-test-schema.ts"

describeEventStoreContract("postgres", () => {
  const target = pgTestSchema("contract")
  if (target._tag === "Skip") return { skip: target.reason }
  if (target._tag === "Fail") return { fail: target.reason }
  return {
    run: {
      // Through the URL, as the application opens it.
      layer: layerEventStoreFromUrl(target.url),
      processUrl: target.url,
      cleanup: () => dropSchema(target.connectionString, target.schema),
      propertyRuns: 15,
    },
  }
})
