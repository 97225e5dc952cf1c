/** Reads http_transcript_*.json into request/response pairs. */
import { loadVector } from "../../helpers/vectors.js";

interface Message {
  tcp_connection: number;
  direction: "client->device" | "device->client";
  hex?: string;
  head_text?: string;
  body_hex?: string;
  event?: string;
}

export interface Exchange {
  endpoint: string;
  request: Buffer;
  requestBody: Buffer;
  response: Buffer;
  responseBody: Buffer;
}

export function loadTranscript(name: string): { exchanges: Exchange[]; cookie: string; host: string } {
  const messages = loadVector<{ messages: Message[] }>(name).messages.filter((m) => m.hex !== undefined);
  const exchanges: Exchange[] = [];
  for (let i = 0; i + 1 < messages.length; i += 2) {
    const req = messages[i]!;
    const res = messages[i + 1]!;
    if (req.direction !== "client->device" || res.direction !== "device->client") throw new Error("order");
    exchanges.push({
      endpoint: /^POST \/(\S+) /.exec(req.head_text!)![1]!,
      request: Buffer.from(req.hex!, "hex"),
      requestBody: Buffer.from(req.body_hex ?? "", "hex"),
      response: Buffer.from(res.hex!, "hex"),
      responseBody: Buffer.from(res.body_hex ?? "", "hex"),
    });
  }
  const cookie = /Set-Cookie: (session=\d+)/.exec(messages[1]!.head_text!)![1]!;
  const host = /\r\nHost: ([^\r]+)/.exec(messages[0]!.head_text!)![1]!;
  return { exchanges, cookie, host };
}
