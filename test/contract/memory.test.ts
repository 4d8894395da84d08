import { layerMemoryEventStore } from "../../infrastructure/stores/memory-event-store.ts"
import { describeEventStoreContract } from "./event-store-contract.ts"

describeEventStoreContract("memory", () => ({ run: { layer: layerMemoryEventStore(), propertyRuns: 50 } }))
