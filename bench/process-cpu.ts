import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const ticksPerSecond = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * The CPU time (user + system, ms) so far of every process of a process group, summed by command name (`java`;
 * Node 24's processes are named `MainThread`), and a JVM's JIT compiler threads apart (`java JIT`, part of `java`'s),
 * read from /proc: what `npm start` and its DynamoDB Local spend, apart from the machine's other work.
 * Undefined where there is no /proc (not Linux).
 */
export const groupCpuMs = (group: number): Map<string, number> | undefined => {
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  const byCommand = new Map<string, number>();
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const command = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    // After the command: state, ppid, pgrp, … utime (12th), stime (13th).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== group) continue;
    const ms = ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
    byCommand.set(command, (byCommand.get(command) ?? 0) + ms);
    if (command === 'java') byCommand.set('java JIT', (byCommand.get('java JIT') ?? 0) + compilerMs(pid));
  }
  return byCommand;
};

/** The CPU time of a JVM's JIT compiler threads (`C1 CompilerThre…`, `C2 CompilerThre…`), ms. */
const compilerMs = (pid: string): number => {
  let total = 0;
  let tasks: string[] = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return 0;
  }
  for (const task of tasks) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${task}/stat`, 'utf8');
      if (!/^C\d CompilerThre/.test(stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')))) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
    } catch {
      // the thread ended meanwhile
    }
  }
  return total;
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
