import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DialpadClient } from '../../src/dialpad/client';
import { DialpadProtocolError } from '../../src/dialpad/errors';

/** Answers from Dialpad are read with a size cap: a huge one is refused, not read into memory. */
describe('the Dialpad client reads answers with a size cap', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('declared')) {
        res.setHeader('content-length', String(10_000_000));
        res.end('{}');
        return;
      }
      // Streamed without a length: 4 MB of lines, more than the cap below.
      res.write('{"call_id":"1","lines":[');
      for (let i = 0; i < 40_000; i++) {
        res.write(`${i ? ',' : ''}{"type":"transcript","content":"${'x'.repeat(90)}"}`);
      }
      res.end(']}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => server.close(() => r())));

  it('refuses an answer over the cap, streamed or declared, as a protocol error', async () => {
    const client = new DialpadClient({ apiKey: 'k', baseUrl: url, maxResponseBytes: 1024 * 1024 });
    await expect(client.getTranscript('1')).rejects.toThrow(DialpadProtocolError);
    await expect(client.getTranscript('1')).rejects.toThrow(/over the 1048576-byte limit/);
    const declared = new DialpadClient({ apiKey: 'k', baseUrl: `${url}/declared`, maxResponseBytes: 1024 });
    await expect(declared.getTranscript('1')).rejects.toThrow(/10000000 bytes is over the 1024-byte limit/);
  });

  it('reads the same answer under a larger cap', async () => {
    const client = new DialpadClient({ apiKey: 'k', baseUrl: url, maxResponseBytes: 8 * 1024 * 1024 });
    const transcript = await client.getTranscript('1');
    expect(transcript.lines).toHaveLength(40_000);
  });
});
