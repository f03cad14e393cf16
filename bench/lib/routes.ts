import type {
  HttpRoute,
  ServerlessConfig,
} from "../../emulator/config/serverless-config";

/** Paths of the order API on the emulator, for the loaded serverless.yml. */
export interface OrderRoutes {
  /** Path of `POST` new orders. */
  createPath: string;
  /** Path of `GET` one order. */
  getPath(orderId: string): string;
}

/**
 * Finds the order API on a started emulator. It looks for `POST /orders`
 * and `GET /orders/{id}` among the HTTP routes (API Gateway triggers, and
 * local routes where the emulator has them). Otherwise it uses the Function
 * URLs of create-order and get-order, served under `/<function>/`.
 */
export function orderRoutes(emulator: {
  config: ServerlessConfig;
  routes?: HttpRoute[];
}): OrderRoutes {
  const config = emulator.config;
  const routes = emulator.routes ?? config.routes;
  const create = routes.find(
    (route) => route.functionKey === "create-order" && route.method === "POST",
  );
  const get = routes.find(
    (route) => route.functionKey === "get-order" && route.method === "GET",
  );
  const urls = config.functionUrls.map((trigger) => trigger.functionKey);

  const createPath = create
    ? create.path
    : urls.includes("create-order")
      ? "/create-order/"
      : undefined;
  const getTemplate = get
    ? get.path
    : urls.includes("get-order")
      ? "/get-order/{id}"
      : undefined;
  if (createPath === undefined || getTemplate === undefined) {
    throw new Error(
      "serverless.yml has no HTTP trigger for create-order or get-order; add an apigw or http trigger",
    );
  }
  return {
    createPath,
    getPath: (orderId) => getTemplate.replace(/\{[^}]+\}/, orderId),
  };
}
