import { processShippingHandler } from "../../src/handlers/process-shipping";
import { PaymentClient } from "../../src/payments/payment-client";
import { createInstance } from "../../src/runtime/instance";
import { CarrierClient } from "../../src/shipping/carrier-client";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance("process-shipping", ["payment", "carrier"]);
const { payment, carrier } = instance.config;
const payments = new PaymentClient({
  baseUrl: payment!.url,
  apiKey: payment!.apiKey,
  timeoutMs: payment!.timeoutMs,
  logger: instance.logger,
});
const carriers = new CarrierClient({
  baseUrl: carrier!.url,
  apiKey: carrier!.apiKey,
  timeoutMs: carrier!.timeoutMs,
  logger: instance.logger,
});

export const main_handler = processShippingHandler(
  instance,
  carriers,
  payments,
);
