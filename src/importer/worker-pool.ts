/**
 * A pool of worker threads for converting units on several cores. Each worker gets the list
 * of a home's files once, then only the units. Results are published by the main thread, as for
 * in-process conversion.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { SourceFile, SourceUnit } from '../../adapters/types.js';
import type { UnitResult } from './convert-unit.js';

export interface WorkerRequest {
  id: number;
  adapterId: string;
  unit: SourceUnit;
  home: string;
  homeKey: string;
  /** Sent with the first unit of a home only. */
  allFiles?: readonly SourceFile[];
  sessionsDir: string;
  root: string | null;
  redact: boolean;
}

interface Slot {
  worker: Worker;
  busy: number;
  homes: Set<string>;
}

// From this module's folder and from the CLI bundle's (src/cli/, a sibling: build/bundle.ts).
const WORKER_URL = new URL('../importer/worker.js', import.meta.url);
const YOUNG_GENERATION_MB = 96;

/** Workers run the built JavaScript; from TypeScript sources (tests) conversion stays in-process. */
export function workersAvailable(): boolean {
  return WORKER_URL.pathname.endsWith('.js') && existsSync(fileURLToPath(WORKER_URL));
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly pending = new Map<number, { resolve: (r: UnitResult) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(size: number) {
    this.slots = Array.from({ length: size }, () => {
      // A larger young generation: conversion allocates many short-lived strings and objects,
      // and the default one makes the scavenger run constantly.
      const worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      worker.on('message', (msg: { id: number; result: UnitResult }) => {
        const slot = this.slots.find((s) => s.worker === worker)!;
        slot.busy--;
        this.pending.get(msg.id)?.resolve(msg.result);
        this.pending.delete(msg.id);
      });
      worker.on('error', (err) => {
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
      });
      return { worker, busy: 0, homes: new Set<string>() };
    });
  }

  run(req: Omit<WorkerRequest, 'id' | 'homeKey' | 'allFiles'>, allFiles: readonly SourceFile[]): Promise<UnitResult> {
    const slot = this.slots.reduce((a, b) => (b.busy < a.busy ? b : a));
    const homeKey = `${req.adapterId}\u0000${req.home}`;
    const id = this.nextId++;
    const message: WorkerRequest = { ...req, id, homeKey };
    if (!slot.homes.has(homeKey)) {
      message.allFiles = allFiles;
      slot.homes.add(homeKey);
    }
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage(message);
    });
  }

  get size(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}
