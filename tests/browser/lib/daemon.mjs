// Starts the real claude-sandbox-manager binary ($CSM_DAEMON) for a browser test: its own
// state dir, tmux server (TMUX_TMPDIR), Claude dir and port, with stub backends. Like
// tests/support/daemon.bash, in JavaScript.
import { spawn, spawnSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
export const stubBackend = join(here, "..", "..", "support", "stub-backend");

// The backends every browser test can use; all run tests/support/stub-backend.
export function stubBackends() {
  return {
    backends: {
      "stub-xvfb": {
        description: "Test stub with an X display: prints a coloured line, then sleeps.",
        display: "xvfb",
        command: [stubBackend, "{project_dir}"],
        command_no_network: [stubBackend, "--offline", "{project_dir}"],
      },
      stub: {
        description: "Test stub without a display.",
        display: "none",
        command: [stubBackend, "{project_dir}"],
      },
    },
  };
}

export class Daemon {
  static async start(options = {}) {
    const daemon = new Daemon();
    daemon.dir = await mkdtemp(join(tmpdir(), "csm-browser-"));
    daemon.stateDir = join(daemon.dir, "state");
    daemon.tmuxDir = join(daemon.dir, "tmux");
    daemon.claudeDir = join(daemon.dir, "claude");
    daemon.projectDir = join(daemon.dir, "project");
    daemon.backendsFile = join(daemon.dir, "backends.json");
    for (const dir of [daemon.stateDir, daemon.tmuxDir, join(daemon.claudeDir, "projects"), daemon.projectDir])
      await mkdir(dir, { recursive: true });
    await chmod(daemon.tmuxDir, 0o700);
    await writeFile(daemon.backendsFile, JSON.stringify(options.backends || stubBackends()));
    await daemon.launch("127.0.0.1:0");
    return daemon;
  }

  // Starts the binary (again, on the same state) and waits for its "listening on" line.
  async launch(listen) {
    const binary = process.env.CSM_DAEMON;
    if (!binary) throw new Error("set CSM_DAEMON to the claude-sandbox-manager binary");
    this.log = "";
    // Its own process group, so that stop() also ends its Xvfb servers and helpers.
    this.child = spawn(binary, [], {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        MANAGER_LISTEN: listen,
        MANAGER_STATE_DIR: this.stateDir,
        MANAGER_BACKENDS_FILE: this.backendsFile,
        MANAGER_CLAUDE_DIR: this.claudeDir,
        TMUX_TMPDIR: this.tmuxDir,
      },
    });
    this.exited = new Promise((resolve) => this.child.once("exit", (code, signal) => resolve({ code, signal })));
    const append = (chunk) => {
      this.log += chunk.toString();
    };
    this.child.stdout.on("data", append);
    this.child.stderr.on("data", append);
    const port = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no 'listening on' line within 30 s:\n" + this.log)), 30000);
      const check = () => {
        const match = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(this.log);
        if (!match) return;
        clearTimeout(timer);
        this.child.stderr.off("data", check);
        resolve(Number(match[1]));
      };
      this.child.stderr.on("data", check);
      this.exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`the daemon exited (${code ?? signal}) before listening:\n${this.log}`));
      });
    });
    this.port = port;
    this.url = `http://127.0.0.1:${port}`;
  }

  // SIGTERM to the daemon alone: its sandboxes keep running, as after a real restart.
  async terminate() {
    if (!this.child || this.child.exitCode !== null) return;
    this.child.kill("SIGTERM");
    await this.exited;
  }

  async restartOnSamePort() {
    await this.terminate();
    await this.launch(`127.0.0.1:${this.port}`);
  }

  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      try {
        process.kill(-this.child.pid, "SIGTERM");
      } catch {
        // already gone
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-this.child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      }, 10000);
      await this.exited;
      clearTimeout(killer);
    }
    spawnSync("tmux", ["kill-server"], { env: { ...process.env, TMUX_TMPDIR: this.tmuxDir }, stdio: "ignore" });
    // The daemon's Xvfb servers outlive it by design (sandboxes survive a daemon restart);
    // a test leaves none behind: end every process that names a file of this test's dir.
    for (const pid of await processesUsing(this.dir + "/")) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  async api(method, path, body) {
    const response = await fetch(this.url + path, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, json: text ? safeJson(text) : null };
  }

  async createSandbox(name, backend = "stub-xvfb") {
    const answer = await this.api("POST", "/api/sandboxes", { name, backend, project_dir: this.projectDir });
    if (answer.status !== 201) throw new Error(`creating ${name}: ${answer.status} ${answer.text}`);
    return answer.json;
  }
}

async function processesUsing(prefix) {
  const pids = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let argv;
    try {
      argv = (await readFile(`/proc/${entry}/cmdline`, "utf8")).split("\0");
    } catch {
      continue; // gone meanwhile
    }
    if (argv.some((argument) => argument.startsWith(prefix))) pids.push(Number(entry));
  }
  return pids.filter((pid) => pid !== process.pid);
}

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

// Polls condition() until it returns a truthy value; never a fixed sleep.
export async function waitFor(condition, { timeout = 20000, interval = 100, what = "condition" } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
