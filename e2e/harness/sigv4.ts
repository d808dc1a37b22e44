/**
 * SigV4 for requests the SDK does not make (API Gateway execute-api calls, the API Gateway control
 * plane, the integration model's backend calls): one SHA-256 for `@smithy/signature-v4` (a
 * dependency already), from node:crypto, and one signed fetch.
 */
import { createHash, createHmac } from 'crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { clientConfig } from './clients';
import { LOCAL_REGION } from './deploy';

type Source = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Source): Buffer => typeof data === 'string' ? Buffer.from(data)
  : ArrayBuffer.isView(data) ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.from(data);

/** SHA-256 (and HMAC-SHA-256 with a secret) for the SigV4 signer, from node:crypto. */
export class Sha256 {
  private hash;
  constructor(private readonly secret?: Source) {
    this.hash = secret ? createHmac('sha256', bytes(secret)) : createHash('sha256');
  }
  update(data: Source): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac('sha256', bytes(this.secret)) : createHash('sha256');
  }
}

/** A SigV4 signer for `service` with the emulator's dummy credentials. */
export function localSigner(endpoint: string, service: string): SignatureV4 {
  return new SignatureV4({ service, region: LOCAL_REGION, credentials: clientConfig(endpoint).credentials, sha256: Sha256 });
}

/** A SigV4-signed request to the emulator (`path` may carry a query string). */
export async function signedFetch(endpoint: string, service: string, method: string, path: string,
  headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const url = new URL(`${endpoint}${path}`);
  const signed = await localSigner(endpoint, service).sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams.entries()),
    headers: { host: url.host, ...headers },
    body,
  });
  const res = await fetch(url, { method, headers: signed.headers, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}
