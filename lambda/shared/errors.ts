/**
 * What the cores put in their own error messages and codes about a failed SDK call. The SDK throws
 * Error subclasses named after the service's error code (NoSuchBucket, ResourceNotFoundException); a
 * thrown non-Error still yields a usable name and message.
 */
export function errorName(err: unknown): string {
  return err instanceof Error ? err.name : 'UnknownError';
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
