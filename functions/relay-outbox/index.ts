import { relayOutboxHandler } from "../../src/handlers/relay-outbox";
import { CmqPublisher } from "../../src/messaging/cmq-publisher";
import { createInstance } from "../../src/runtime/instance";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance(
  "relay-outbox",
  ["publisher"],
  (config) => new CmqPublisher(config),
);

export const main_handler = relayOutboxHandler(instance);
