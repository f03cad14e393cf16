import { processPaymentHandler } from "../../src/handlers/process-payment";
import { PaymentClient } from "../../src/payments/payment-client";
import { CmqPublisher } from "../../src/messaging/cmq-publisher";
import { createInstance } from "../../src/runtime/instance";

// Runs at cold start: a configuration error fails here, naming the variable.
const instance = createInstance(
  "process-payment",
  ["publisher", "payment"],
  (config) => new CmqPublisher(config),
);
const payment = instance.config.payment!;
const payments = new PaymentClient({
  baseUrl: payment.url,
  apiKey: payment.apiKey,
  timeoutMs: payment.timeoutMs,
  logger: instance.logger,
});

export const main_handler = processPaymentHandler(instance, payments);
