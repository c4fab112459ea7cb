import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/** One process's or thread's `/proc/…/stat`: its command, process group and CPU time (user + system, ms). */
const readStat = (path: string): { command: string; group: number; cpuMs: number } | undefined => {
  let stat: string;
  try {
    stat = readFileSync(path, 'utf8');
  } catch {
    return undefined; // gone meanwhile
  }
  // After the command: state, ppid, pgrp, … utime (12th), stime (13th).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    command: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
    group: Number(fields[2]),
    cpuMs: ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000,
  };
};

const numbered = (dir: string): string[] => {
  try {
    return readdirSync(dir).filter((name) => /^\d+$/.test(name));
  } catch {
    return [];
  }
};

/** The CPU time of a JVM's JIT compiler threads (`C1 CompilerThre…`, `C2 CompilerThre…`), ms. */
const compilerMs = (pid: string): number =>
  numbered(`/proc/${pid}/task`)
    .map((task) => readStat(`/proc/${pid}/task/${task}/stat`))
    .filter((thread) => thread && /^C\d CompilerThre/.test(thread.command))
    .reduce((sum, thread) => sum + (thread?.cpuMs ?? 0), 0);

/**
 * The CPU time (user + system, ms) so far of every process of a process group, summed by command name (`java`;
 * Node 24's processes are named `MainThread`), and a JVM's JIT compiler threads apart (`java JIT`, part of `java`'s),
 * read from /proc: what `npm start` and its DynamoDB Local spend, apart from the machine's other work.
 * Undefined where there is no /proc (not Linux).
 */
export const groupCpuMs = (group: number): Map<string, number> | undefined => {
  const pids = numbered('/proc');
  if (pids.length === 0) return undefined;
  const byCommand = new Map<string, number>();
  const add = (command: string, ms: number) => byCommand.set(command, (byCommand.get(command) ?? 0) + ms);
  for (const pid of pids) {
    const entry = readStat(`/proc/${pid}/stat`);
    if (entry?.group !== group) continue;
    add(entry.command, entry.cpuMs);
    if (entry.command === 'java') add('java JIT', compilerMs(pid));
  }
  return byCommand;
};

/** This process's CPU time so far (user + system, ms). */
export const ownCpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/**
 * The machine's CPU time so far, all cores (ms): how much its virtual CPUs ran anything, and how much of it the host
 * took for other guests (steal), from /proc/stat. Undefined where there is no /proc.
 */
export const machineCpuMs = (): { total: number; steal: number } | undefined => {
  let line: string | undefined;
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  } catch {
    return undefined;
  }
  // cpu user nice system idle iowait irq softirq steal …
  const ticks = (line ?? '').trim().split(/\s+/).slice(1, 9).map(Number);
  const ms = (value: number) => (value / ticksPerSecond) * 1000;
  return { total: ms(ticks.reduce((sum, value) => sum + value, 0)), steal: ms(ticks[7] ?? 0) };
};
