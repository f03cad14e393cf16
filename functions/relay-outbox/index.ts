import { relayOutboxHandler } from "../../src/handlers/relay-outbox";
import { createInstance } from "../../src/runtime/instance";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance("relay-outbox", ["publisher"]);

export const main_handler = relayOutboxHandler(instance);
