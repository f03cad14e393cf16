import type { SandboxKnobs } from "../../emulator/sandbox/knobs";

/** Sets a sandbox's knobs through its `POST /_control` endpoint. */
export async function setKnobs(
  baseUrl: string,
  knobs: Partial<SandboxKnobs>,
): Promise<void> {
  const response = await fetch(`${baseUrl}/_control`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(knobs),
  });
  if (!response.ok)
    throw new Error(
      `POST ${baseUrl}/_control failed with ${response.status}: ${await response.text()}`,
    );
}

export interface LedgerCharge {
  id: string;
  orderId: string;
  createdAt: string;
}

/** Reads the payment sandbox's ledger; clear its rate limit first, since the ledger route counts against it. */
export async function readCharges(
  baseUrl: string,
  apiKey: string,
): Promise<LedgerCharge[]> {
  const response = await fetch(`${baseUrl}/v1/ledger`, {
    headers: { authorization: `Bearer ${apiKey}` },
  });
  if (!response.ok)
    throw new Error(`GET ${baseUrl}/v1/ledger failed with ${response.status}`);
  const ledger = (await response.json()) as { charges: LedgerCharge[] };
  return ledger.charges;
}

/**
 * Returns the count of API requests the sandbox reports on `/health`, or
 * null when this sandbox version does not report it.
 */
export async function requestCount(baseUrl: string): Promise<number | null> {
  const response = await fetch(`${baseUrl}/health`);
  const health = (await response.json()) as { requests?: unknown };
  return typeof health.requests === "number" ? health.requests : null;
}
