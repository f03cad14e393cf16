import { NotFoundError, ValidationError } from "../errors";
import { orderView } from "../orders/order-view";
import type { Instance } from "../runtime/instance";
import { requestIdOf } from "../scf/context";
import { type HttpRequest, parseHttpEvent } from "../scf/http-event";
import { type IntegratedResponse, jsonResponse } from "../scf/http-response";
import { errorResponseLogged } from "./http-error";
import { clientIdOf, requireApiKey, requireMethod } from "./http-guard";

const ORDER_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Takes the order id from the `{id}` path parameter (API Gateway) or from
 * the last path segment (a Function URL has no path parameters).
 */
function orderIdOf(request: HttpRequest): string {
  const fromPath = request.path
    .split("/")
    .filter((segment) => segment.length > 0)
    .pop();
  const orderId = request.pathParameters.id ?? fromPath;
  if (
    orderId === undefined ||
    orderId === "orders" ||
    !ORDER_ID.test(orderId)
  ) {
    throw new ValidationError(
      "order id is missing or invalid; use GET /orders/{id}",
      [
        {
          field: "pathParameters.id",
          message: "must be 1-64 letters, digits, '_' or '-'",
        },
      ],
    );
  }
  return orderId;
}

/** Handles `GET /orders/{id}`: the order's status, details and history. */
export function getOrderHandler(instance: Instance) {
  const { config, store, logger } = instance;

  return async function main_handler(
    event: unknown,
    context: unknown,
  ): Promise<IntegratedResponse> {
    const requestId = requestIdOf(context);
    const log = logger.child({ requestId });
    try {
      const request = parseHttpEvent(event);
      requireMethod(request, "GET");
      requireApiKey(request, config.orderApiKeys);
      const orderId = orderIdOf(request);
      await instance.ready();

      const order = await store.getOrder(orderId);
      const clientId = clientIdOf(request, config.orderApiKeys);
      // Another client's order gets the same 404 as a missing one, so an id
      // reveals nothing about orders the caller did not create.
      const othersOrder =
        order?.clientId !== undefined &&
        clientId !== undefined &&
        order.clientId !== clientId;
      if (!order || othersOrder)
        throw new NotFoundError(`order ${orderId} not found`);
      return jsonResponse(200, orderView(order));
    } catch (error) {
      return errorResponseLogged(error, requestId, log);
    }
  };
}
