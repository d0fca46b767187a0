/**
 * nginx (the Debian package) as the load balancer in front of BlockScore instances, the way a deployment puts it:
 * an upstream named like a compose service (`bs` by default, so the Host header BlockScore sees is short),
 * keep-alive connections to the instances, and a retry on the next instance when one refuses the connection.
 * `max_fails=0` keeps nginx from benching an instance for 10 s after one refused connection: in a rolling
 * restart the instances come back faster than that, and with all of them benched nginx answers 502 itself.
 * Each answer names the instance that served it in `X-Upstream`, so a test can see where requests landed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp } from "./processes";

export function nginxBinary(): string | null {
  return Bun.which("nginx") ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : null);
}

/** nginx, installed with apt-get when missing and possible; null (with the reason) when it cannot be had. */
export async function ensureNginx(): Promise<{ binary: string } | { missing: string }> {
  const found = nginxBinary();
  if (found) return { binary: found };
  if (Bun.which("apt-get") && process.getuid?.() === 0) {
    const install = Bun.spawn(["apt-get", "install", "-y", "-q", "nginx-light"], {
      stdout: "ignore",
      stderr: "ignore",
    });
    await install.exited;
    const installed = nginxBinary();
    if (installed) return { binary: installed };
  }
  return { missing: "nginx is not installed and could not be installed (apt-get install nginx)" };
}

export type Nginx = { url: string; port: number; stop(): Promise<void>; errorLog(): string };

export async function startNginx(options: {
  binary: string;
  upstreamPorts: number[];
  upstreamName?: string;
  workers?: number;
}): Promise<Nginx> {
  const folder = mkdtempSync(join(tmpdir(), "blockscore-nginx-"));
  for (const sub of ["body", "proxy", "fastcgi", "uwsgi", "scgi"]) mkdirSync(join(folder, sub));
  const port = await freePort();
  const upstream = options.upstreamName ?? "bs";
  const servers = options.upstreamPorts.map((p) => `    server 127.0.0.1:${p} max_fails=0;`).join("\n");
  const config = `
daemon off;
worker_processes ${options.workers ?? 1};
pid ${folder}/nginx.pid;
error_log ${folder}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${folder}/body;
  proxy_temp_path ${folder}/proxy;
  fastcgi_temp_path ${folder}/fastcgi;
  uwsgi_temp_path ${folder}/uwsgi;
  scgi_temp_path ${folder}/scgi;
  upstream ${upstream} {
${servers}
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://${upstream};
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_next_upstream error timeout;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
  const configPath = join(folder, "nginx.conf");
  writeFileSync(configPath, config);
  const child = Bun.spawn([options.binary, "-p", folder, "-c", configPath, "-e", join(folder, "error.log")], {
    stdout: "ignore",
    stderr: "ignore",
  });
  const errorLog = () => {
    try {
      return readFileSync(join(folder, "error.log"), "utf8");
    } catch {
      return "";
    }
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/api/health`, 10_000, child.exited);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`nginx did not start: ${(error as Error).message}\n${errorLog()}`);
  }
  return {
    url,
    port,
    errorLog,
    stop: async () => {
      child.kill("SIGQUIT");
      await child.exited;
    },
  };
}
