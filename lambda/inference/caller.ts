/**
 * Who called the API, as a caller label (MON-5, MON-6): the capture records carry it so the drift check can
 * tell a drift concentrated in a few callers from a broad one, and the per-client request metric is keyed
 * by it. A label names the API client or the authenticated principal, never a customer.
 */
import { CALLER_LABEL } from '../../src/capture/record';

/** The parts of API Gateway's (REST, Lambda proxy) request context the label is read from. */
export interface CallerContext {
  readonly identity?: {
    /** Set when the method requires an API key (per-client usage plans). */
    readonly apiKeyId?: string | null;
    /** IAM authorization: the caller's ARN (an assumed-role session, an IAM user or the root user). */
    readonly userArn?: string | null;
  } | null;
  /** Cognito authorization: the token's claims. */
  readonly authorizer?: { readonly claims?: Readonly<Record<string, unknown>> | null } | null;
}

function label(kind: string, name: string): string | undefined {
  const text = `${kind}:${name}`;
  return CALLER_LABEL.test(text) ? text : undefined;
}

/** `role:<name>` for an assumed-role session, `user:<name>` for an IAM user, `account:<id>` for root. */
function principalLabel(arn: string): string | undefined {
  const match = /^arn:[a-z-]+:(sts|iam)::(\d{12}):(assumed-role|user|root)(?:\/(.+))?$/.exec(arn);
  if (!match) return undefined;
  const [, service, account, kind, rest] = match;
  if (service === 'sts' && kind === 'assumed-role' && rest) return label('role', rest.split('/')[0]);
  if (service === 'iam' && kind === 'user' && rest) return label('user', rest.split('/').pop() as string);
  if (service === 'iam' && kind === 'root') return label('account', account);
  return undefined;
}

/**
 * The caller label of a request: the API key's id when the method requires one (each configured client has
 * its own key), else the IAM principal, else the Cognito app client. Undefined when none is present (the
 * request is then captured without a caller; the drift check counts it as unattributed).
 */
export function callerLabel(context: CallerContext | null | undefined): string | undefined {
  const keyId = context?.identity?.apiKeyId;
  if (typeof keyId === 'string' && keyId !== '') {
    const fromKey = label('api-key', keyId);
    if (fromKey) return fromKey;
  }
  const arn = context?.identity?.userArn;
  if (typeof arn === 'string' && arn !== '') {
    const fromPrincipal = principalLabel(arn);
    if (fromPrincipal) return fromPrincipal;
  }
  const claims = context?.authorizer?.claims;
  // Access tokens name the app client in client_id, ID tokens in aud.
  const client = claims?.client_id ?? claims?.aud;
  if (typeof client === 'string' && client !== '') return label('app-client', client);
  return undefined;
}

/**
 * SageMaker's InferenceId (recorded in the endpoint's capture as eventMetadata.inferenceId) takes at most
 * 64 printable characters; a longer label is left out rather than cut into another caller's name.
 */
export function inferenceIdFor(caller: string | undefined): string | undefined {
  return caller !== undefined && caller.length <= 64 ? caller : undefined;
}
