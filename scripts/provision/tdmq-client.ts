import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
// Deep import: the package root loads every service of the SDK.
import { tdmq } from "tencentcloud-sdk-nodejs/tencentcloud/services/tdmq";
import type { TencentCredentials } from "../deploy/credentials";

export type TdmqClient = InstanceType<typeof tdmq.v20200217.Client>;

/** The SDK's TDMQ endpoint, used when TDMQ_API_URL is unset or empty. */
export const DEFAULT_TDMQ_API_URL = "https://tdmq.tencentcloudapi.com";

/** Target of TDMQ API requests, as the SDK's `endpoint` and `protocol`. */
export interface TdmqEndpoint {
  url: string;
  endpoint: string;
  protocol: "http://" | "https://";
}

/** Parses TDMQ_API_URL, where "" means the default, and throws naming it when invalid. */
export function tdmqEndpointOf(apiUrl: string | undefined): TdmqEndpoint {
  const value = apiUrl || DEFAULT_TDMQ_API_URL;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`TDMQ_API_URL is invalid: "${value}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new Error(
      `TDMQ_API_URL is invalid: "${value}" must start with http:// or https://`,
    );
  }
  return {
    url: value,
    endpoint: url.host,
    protocol: url.protocol === "http:" ? "http://" : "https://",
  };
}

/**
 * Creates a TDMQ client. The explicit agent keeps the SDK from sending
 * requests through `http_proxy`, as it does when it has no agent.
 */
export function createTdmqClient(
  credentials: TencentCredentials,
  region: string,
  target: TdmqEndpoint,
): TdmqClient {
  const agent =
    target.protocol === "http://" ? new HttpAgent() : new HttpsAgent();
  return new tdmq.v20200217.Client({
    credential: {
      secretId: credentials.secretId,
      secretKey: credentials.secretKey,
      token: credentials.token,
    },
    region,
    profile: {
      httpProfile: {
        endpoint: target.endpoint,
        protocol: target.protocol,
        reqTimeout: 30,
        agent,
      },
    },
  });
}
