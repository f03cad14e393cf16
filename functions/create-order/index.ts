import { createOrderHandler } from "../../src/handlers/create-order";
import { CmqPublisher } from "../../src/messaging/cmq-publisher";
import { createInstance } from "../../src/runtime/instance";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance(
  "create-order",
  ["publisher"],
  (config) => new CmqPublisher(config),
);

export const main_handler = createOrderHandler(instance);
