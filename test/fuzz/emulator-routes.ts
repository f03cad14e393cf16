import type { Emulator } from "../../emulator/emulator";

/**
 * Returns the URLs of `POST /orders` and of `GET /orders/{id}` from the
 * HTTP triggers the emulator loaded. An API Gateway route is used when
 * serverless.yml declares one, else the function's Function URL, under
 * which get-order reads the id from the last path segment.
 */
export function orderUrls(emulator: Emulator): {
  create: string;
  get: (orderId: string) => string;
} {
  const { routes, functionUrls } = emulator.config;
  const urlOf = (functionKey: string, method: string, path: string) => {
    const route = routes.find(
      (candidate) =>
        candidate.functionKey === functionKey && candidate.method === method,
    );
    if (route) return `${emulator.httpUrl}${path}`;
    if (functionUrls.some((trigger) => trigger.functionKey === functionKey))
      return `${emulator.httpUrl}/${functionKey}${path}`;
    throw new Error(`serverless.yml has no HTTP trigger for ${functionKey}`);
  };
  return {
    create: urlOf("create-order", "POST", "/orders"),
    get: (orderId) => urlOf("get-order", "GET", `/orders/${orderId}`),
  };
}
