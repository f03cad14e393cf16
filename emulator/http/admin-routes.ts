import { redriveDeadLetters, summarize } from "../dead-letters";
import type { Dispatcher } from "../dispatch/dispatcher";
import { type Faults, updateFaults } from "../faults";
import {
  MessageStoreError,
  type MessageStore,
} from "../messages/message-store";

/** Path prefix of the emulator's own routes on the HTTP trigger port. */
export const ADMIN_PREFIX = "/_emulator/";

export interface AdminContext {
  store: MessageStore;
  dispatcher: Dispatcher;
  faults: Faults;
}

export interface AdminResponse {
  status: number;
  body: unknown;
}

/**
 * Serves the emulator's own routes: `GET stats`, `POST faults`,
 * `GET dead-letters`, `GET dead-letters/<id>`,
 * `POST dead-letters/<id>/redrive` and `POST dead-letters/redrive` (all).
 * They exist only in the emulator; `npm run dlq` and tests use them.
 */
export function handleAdmin(
  context: AdminContext,
  method: string,
  path: string,
  body: unknown,
): AdminResponse {
  const segments = pathSegments(path);
  const [resource, id, action] = segments;
  try {
    if (method === "GET" && resource === "stats" && segments.length === 1)
      return stats(context);
    if (method === "POST" && resource === "faults" && segments.length === 1) {
      const updated = updateFaults(context.faults, body);
      if (typeof updated === "string") {
        return {
          status: 400,
          body: { error: "invalid_request", message: updated },
        };
      }
      return { status: 200, body: updated };
    }
    if (resource === "dead-letters" && segments.length <= 3)
      return deadLetters(context, method, id, action);
  } catch (error) {
    if (error instanceof MessageStoreError && error.code === "not_found") {
      return {
        status: 404,
        body: { error: "not_found", message: error.message },
      };
    }
    throw error;
  }
  return {
    status: 404,
    body: {
      error: "not_found",
      message: `no emulator route ${method} ${path}`,
    },
  };
}

/**
 * Splits the path after ADMIN_PREFIX at each "/". One trailing "/" is
 * ignored, but empty segments inside stay, so `dead-letters//redrive` has an
 * empty id instead of becoming the redrive-all route.
 */
function pathSegments(path: string): string[] {
  const rest = path.slice(ADMIN_PREFIX.length);
  return (rest.endsWith("/") ? rest.slice(0, -1) : rest).split("/");
}

function stats({ store, dispatcher, faults }: AdminContext): AdminResponse {
  return {
    status: 200,
    body: {
      messages: store.counts(),
      backlog: dispatcher.backlog(),
      duplicatesDelivered: dispatcher.duplicatesDelivered,
      faults,
    },
  };
}

function deadLetters(
  { store, dispatcher }: AdminContext,
  method: string,
  id: string | undefined,
  action: string | undefined,
): AdminResponse {
  if (method === "GET" && id === undefined) {
    return { status: 200, body: store.listDeadLetters().map(summarize) };
  }
  if (method === "POST" && id === "redrive") {
    return {
      status: 200,
      body: { redriven: redriveDeadLetters(store, "all", dispatcher) },
    };
  }

  const deliveryId = Number(id);
  if (id === undefined || !/^[1-9][0-9]*$/.test(id)) {
    return {
      status: 400,
      body: {
        error: "invalid_request",
        message: `dead letter id must be a positive integer, got "${id ?? ""}"`,
      },
    };
  }
  if (method === "GET" && action === undefined) {
    const letter = store.getDeadLetter(deliveryId);
    if (!letter)
      return {
        status: 404,
        body: { error: "not_found", message: `no dead letter ${deliveryId}` },
      };
    return { status: 200, body: letter };
  }
  if (method === "POST" && action === "redrive") {
    return {
      status: 200,
      body: { redriven: redriveDeadLetters(store, [deliveryId], dispatcher) },
    };
  }
  return {
    status: 405,
    body: {
      error: "method_not_allowed",
      message: `${method} is not allowed here`,
    },
  };
}
