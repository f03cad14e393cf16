/** A Tencent Cloud API key pair, with the session token of temporary keys. */
export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  token?: string;
  /** The variable the secret id came from, for messages. */
  source: string;
}

interface CredentialVariables {
  id: string;
  key: string;
  token: string;
}

/**
 * The variable names looked up, in order: tencentcloud-sdk-nodejs's
 * EnvironmentVariableCredential names, then the names the Tencent
 * components CLI reads (TENCENT_SECRET_ID, also from its `.env` file).
 */
export const CREDENTIAL_VARIABLES: readonly CredentialVariables[] = [
  {
    id: "TENCENTCLOUD_SECRET_ID",
    key: "TENCENTCLOUD_SECRET_KEY",
    token: "TENCENTCLOUD_SESSION_TOKEN",
  },
  {
    id: "TENCENT_SECRET_ID",
    key: "TENCENT_SECRET_KEY",
    token: "TENCENT_TOKEN",
  },
];

/** Credentials that are missing or half set, with the names to set. */
export class MissingCredentialsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MissingCredentialsError";
  }
}

function valueOf(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === "" ? undefined : value;
}

/**
 * Returns the first complete key pair in `CREDENTIAL_VARIABLES` order.
 * Throws MissingCredentialsError naming the variables when no pair is
 * complete, or when a pair has only its id or only its key.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv): TencentCredentials {
  for (const names of CREDENTIAL_VARIABLES) {
    const secretId = valueOf(env, names.id);
    const secretKey = valueOf(env, names.key);
    if (secretId && secretKey) {
      return {
        secretId,
        secretKey,
        token: valueOf(env, names.token),
        source: names.id,
      };
    }
    if (secretId || secretKey) {
      const missing = secretId ? names.key : names.id;
      const present = secretId ? names.id : names.key;
      throw new MissingCredentialsError(
        `${missing} is missing or empty while ${present} is set: set both`,
      );
    }
  }
  const pairs = CREDENTIAL_VARIABLES.map(
    (names) => `${names.id} and ${names.key}`,
  );
  throw new MissingCredentialsError(
    `Tencent Cloud credentials are missing: set ${pairs.join(", or ")}`,
  );
}
