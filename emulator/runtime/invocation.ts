/** Failure of a function invocation, in SCF's error fields. */
export interface InvocationError {
  errorMessage: string;
  errorType: string;
  stackTrace: string;
}

export type InvocationResult =
  | { ok: true; value: unknown; durationMs: number; requestId: string }
  | {
      ok: false;
      error: InvocationError;
      durationMs: number;
      requestId: string;
      timedOut: boolean;
    };

/** Settings of one emulated function, from serverless.yml. */
export interface FunctionSpec {
  /** Key of the function in serverless.yml's `functions` map. */
  key: string;
  /** Absolute path of the JavaScript file the handler lives in. */
  file: string;
  exportName: string;
  timeoutSeconds: number;
  memorySize: number;
  /** The function's environment variables, as SCF would set them. */
  environment: Record<string, string>;
}
