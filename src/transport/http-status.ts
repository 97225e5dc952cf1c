/** What every HTTP-based client transport says about a failed request: the same words, whatever the transport. */
import { ErrorCodes, TransportError } from "../errors.js";

/** ESP's short plain-text error body ("Unable to create session"), but never a whole HTML page. */
function statusDetail(reply: Uint8Array): string {
  const text = new TextDecoder("latin1").decode(reply).trim();
  if (text === "" || text.startsWith("<") || text.length > 120 || /[\r\n]/.test(text)) return "";
  return ` (${text})`;
}

export function httpStatusError(
  target: string,
  endpoint: string,
  status: number,
  reply: Uint8Array,
): TransportError {
  return new TransportError(`HTTP ${status} from ${target} for /${endpoint}${statusDetail(reply)}`, {
    code: ErrorCodes.HTTP_STATUS,
    status,
  });
}

/** ESP reports a failed request by closing the connection without a reply (protocol.md §2.2). */
export const CLOSED_HINT =
  "the device closes the connection without a reply when a request fails: wrong proof of possession or " +
  "SRP password, a session taken over by another client, or a device that rebooted or finished provisioning";

/** Plain words for the error code of a connection that never opened (Node's errno, or undici's on fetch). */
const UNREACHABLE_REASONS: Record<string, (host: string) => string> = {
  ENETUNREACH: () => "no route to it (network unreachable); this computer is not on the device's network",
  EHOSTUNREACH: () => "no route to it (host unreachable); this computer is not on the device's network",
  ECONNREFUSED: () => "nothing is listening there (connection refused)",
  ETIMEDOUT: () => "the connection attempt timed out",
  UND_ERR_CONNECT_TIMEOUT: () => "the connection attempt timed out",
  EADDRNOTAVAIL: () => "the address is not usable from this computer",
  ENOTFOUND: (host) => `cannot resolve ${host}`,
  EAI_AGAIN: (host) => `cannot resolve ${host} (name lookup failed)`,
};

/** Why the connection never opened, in words, or undefined when `code` is not a connect failure. */
export function unreachableReason(code: string | undefined, host: string): string | undefined {
  return code === undefined ? undefined : UNREACHABLE_REASONS[code]?.(host);
}
