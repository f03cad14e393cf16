import { randomBytes } from "node:crypto";
import { join, resolve } from "node:path";

/** Addresses and secrets of the emulator's local services. */
export interface LocalServices {
  cloudApiUrl: string;
  paymentUrl: string;
  carrierUrl: string;
  credentials: { secretId: string; secretKey: string };
  paymentApiKey: string;
  carrierApiKey: string;
}

/** Creates fresh credentials for one emulator run. */
export function localSecrets(): Pick<
  LocalServices,
  "credentials" | "paymentApiKey" | "carrierApiKey"
> {
  return {
    credentials: {
      secretId: `AKIDLOCAL${randomBytes(12).toString("hex").toUpperCase()}`,
      secretKey: randomBytes(24).toString("base64url"),
    },
    paymentApiKey: `sk_local_${randomBytes(12).toString("hex")}`,
    carrierApiKey: `ck_local_${randomBytes(12).toString("hex")}`,
  };
}

/**
 * Returns the values the emulator gives serverless.yml's `${env:...}`
 * variables. Local service addresses and keys always come from the
 * emulator, so a local run never reaches a real provider or Tencent Cloud.
 * The database URL, API keys and stage may come from the caller's
 * environment.
 */
export function localVariables(
  services: LocalServices,
  dataDir: string,
  env: NodeJS.ProcessEnv,
): Record<string, string | undefined> {
  return {
    ...env,
    STAGE: env.STAGE ?? "local",
    DATABASE_URL:
      env.DATABASE_URL ?? `sqlite:${resolve(join(dataDir, "orders.db"))}`,
    ORDER_API_KEYS: env.ORDER_API_KEYS ?? "",
    TDMQ_API_URL: services.cloudApiUrl,
    PAYMENT_API_URL: services.paymentUrl,
    PAYMENT_API_KEY: services.paymentApiKey,
    CARRIER_API_URL: services.carrierUrl,
    CARRIER_API_KEY: services.carrierApiKey,
  };
}

/** SCF's role credential variables, as SCF sets them in each instance. */
export function credentialVariables(
  services: LocalServices,
): Record<string, string> {
  return {
    TENCENTCLOUD_SECRETID: services.credentials.secretId,
    TENCENTCLOUD_SECRETKEY: services.credentials.secretKey,
    TENCENTCLOUD_SESSIONTOKEN: "",
  };
}
