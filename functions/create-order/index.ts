import { createOrderHandler } from "../../src/handlers/create-order";
import { createInstance } from "../../src/runtime/instance";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance("create-order", ["publisher"]);

export const main_handler = createOrderHandler(instance);
