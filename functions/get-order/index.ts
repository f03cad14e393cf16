import { getOrderHandler } from "../../src/handlers/get-order";
import { createInstance } from "../../src/runtime/instance";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance("get-order", []);

export const main_handler = getOrderHandler(instance);
