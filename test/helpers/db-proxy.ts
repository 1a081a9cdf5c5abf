import net from "node:net";

/** A TCP proxy in front of the test database that can be cut and restored ("the database is down"). */
export class DbProxy {
  private server?: net.Server;
  private sockets = new Set<net.Socket>();
  port = 0;
  constructor(
    private host: string,
    private targetPort: number,
  ) {}
  async up(port = 0): Promise<number> {
    this.server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
    return this.port;
  }
  async down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Host, port and options of MONGODB_TEST_URI when it names a single server (else null: no proxy possible). */
export function testUriParts(): RegExpExecArray | null {
  return /^mongodb:\/\/([^/,?@]+):(\d+)\/?(\?.*)?$/.exec(process.env.MONGODB_TEST_URI ?? "");
}
