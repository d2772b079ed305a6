import { beforeAll, describe, expect, it } from 'vitest';
import { type FlowResult, runFlow } from '../src/flow.js';

describe('the demo flow on the embedded emulator (end to end)', () => {
  let result: FlowResult;

  beforeAll(async () => {
    result = await runFlow();
  }, 240_000);

  it('passes every expectation and cleans up after itself', () => {
    expect(result.checks.filter((check) => !check.ok)).toEqual([]);
    expect(result.cleanupFailures).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('deploys the three apps with s deploy and prefetches their sessions', () => {
    expect(result.deploy?.apps.map((app) => [app.app, app.functionName, app.exitCode, app.action])).toEqual([
      ['chat', 'fcs-chat', 0, 'created'],
      ['cookie-counter', 'fcs-cookie-counter', 0, 'created'],
      ['event-worker', 'fcs-event-worker', 0, 'created'],
    ]);
    expect(result.deploy?.sessions['fcs-chat']).toHaveLength(2);
    expect(result.deploy?.sessions['fcs-cookie-counter']).toHaveLength(1);
    expect(result.deploy?.sessions['fcs-event-worker']).toEqual([]);
  });

  it('chat: each session stays on the instance it was prefetched on, with its own history', () => {
    const sessions = result.chat?.sessions ?? [];
    expect(sessions).toHaveLength(2);
    for (const session of sessions) {
      expect(session.boundInstance).toMatch(/^c-/);
      for (const turn of session.turns) {
        expect(turn.instanceId).toBe(session.boundInstance);
        expect(turn.reply).toMatchObject({
          session: session.id,
          sessionSource: 'header',
          requestId: turn.requestId,
          instanceId: session.boundInstance,
        });
      }
    }
    expect(sessions.map((session) => session.turns.at(-1)?.reply.messages)).toEqual([
      ['hi', 'how are you?'],
      ['hello'],
    ]);
  });

  it('serverless.yml: osls fcs prefetch reuses the sessions s deploy made, fcs invoke lands in one', () => {
    const framework = result.framework!;
    expect(framework.prefetch.summary).toMatch(/^fcs-chat@LATEST: 2\/2 active \(0 created, 2 reused, 0 failed\)/);
    const session = result.chat?.sessions.find((s) => s.id === framework.invoke.sessionId);
    expect(session).toBeDefined();
    expect(framework.invoke.reply).toMatchObject({
      session: session?.id,
      instanceId: session?.boundInstance,
      messages: [...(session?.turns.at(-1)?.reply.messages ?? []), 'hello from osls'],
    });
  });

  it('cookie: FC sets the cookie once, then every visit with it counts on one instance', () => {
    const cookie = result.cookie!;
    expect(cookie.visits[0]?.setCookie).toMatch(
      new RegExp(`^x-fc-cookie-session-id=${cookie.sessionId}; Max-Age=\\d+`),
    );
    expect(cookie.visits.map((visit) => visit.reply?.visits)).toEqual([0, 1, 2]);
    expect(new Set(cookie.visits.map((visit) => visit.instanceId)).size).toBe(1);
    expect(cookie.warm?.reply).toMatchObject({
      session: result.deploy?.sessions['fcs-cookie-counter']?.[0],
      visits: 1,
    });
  });

  it('event worker: sync result and Tail logs, a failing event, an async task that ran', () => {
    const worker = result.worker!;
    expect(worker.sync.result).toMatchObject({ sum: 15, count: 5, requestId: worker.sync.requestId });
    expect(worker.sync.logs).toContain(`${worker.sync.requestId} [INFO] job sync: 5 numbers, sum 15`);
    expect(worker.failure.errorType).toBe('UnhandledInvocationError');
    expect(worker.async.status).toBe(202);
    expect(worker.async.echoedTaskId).toBe(worker.async.taskId);
    expect(worker.async.logLine).toContain(
      `${worker.async.requestId} [INFO] job ${worker.async.taskId}: 3 numbers, sum 60`,
    );
  });

  it("versions and aliases: a session on prod and one on canary, each served by its version's instance; a task stopped by id", () => {
    const aliases = result.aliases!;
    expect(aliases.versions).toEqual(['1', '2']);
    expect(aliases.sessions.map((s) => [s.alias, s.versionId])).toEqual([
      ['prod', '1'],
      ['canary', '2'],
    ]);
    for (const session of aliases.sessions) {
      expect(session.servedBy).toHaveLength(2);
      for (const served of session.servedBy) {
        expect(served).toEqual({ instanceId: session.boundInstance, versionId: session.versionId });
      }
    }
    expect(aliases.sessions[0]?.boundInstance).not.toBe(aliases.sessions[1]?.boundInstance);
    expect(aliases.task.watched).toContain('Running');
    expect(aliases.task.final?.status).toBe('Stopped');
  });

  it('keeper: a session renewed before its TTL ends, the old one answering through its grace, then deleted', () => {
    const keeper = result.keeper!;
    expect(keeper.first).toBeDefined();
    expect(keeper.renewal).toBeDefined();
    expect(keeper.renewal).not.toBe(keeper.first);
    expect(keeper.secondsLeft).toBeGreaterThan(0);
    expect(keeper.statusDuringGrace).toBe('Active');
    expect(keeper.callDuringGrace).toBe(200);
    expect(keeper.reports.some((r) => r.retired === 1)).toBe(true);
    // Its id is not reused: a call naming it once deleted fails rather than making it again.
    expect(keeper.callAfterRetirement).toBe('InvalidArgument');
  });
});
