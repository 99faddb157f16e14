import { mockErrorHandler } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { addChangesRoutes } from './changesRoutes';
import { UpstreamError } from './service/errors';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'guestbook', namespace: 'default' },
};

describe('GET /entities/:namespace/:kind/:name/changes', () => {
  function app(getChanges: jest.Mock) {
    // As createRouter does: a promise router hands rejections to the error handler.
    const router = Router();
    addChangesRoutes(router, {
      changes: { getChanges },
      loadEntity: async () => entity,
      abortOnClose: () => new AbortController().signal,
    });
    return express().use(router).use(mockErrorHandler());
  }
  const path = '/entities/default/component/guestbook/changes';

  it('answers the service, passing environment and to', async () => {
    const getChanges = jest.fn(async () => ({ commits: [], truncated: false }));
    const response = await request(app(getChanges)).get(
      `${path}?environment=prod&to=v1.2.3%2Bbuild.1`,
    );
    expect(response.status).toBe(200);
    expect(getChanges).toHaveBeenCalledWith(
      expect.objectContaining({
        entity,
        environment: 'prod',
        to: 'v1.2.3+build.1',
      }),
    );
  });

  it.each([
    ['no environment', '', 'query parameter "environment" is required'],
    [
      'an option for a version',
      '?environment=prod&to=--upload-pack=x',
      'query parameter "to" must be a tag',
    ],
    [
      'a short digest',
      '?environment=prod&to=sha256:abc',
      'query parameter "to" must be a tag',
    ],
    ['an unknown parameter', '?environment=prod&x=1', 'Unrecognized key'],
  ])('answers 400 for %s', async (_, search, message) => {
    const response = await request(app(jest.fn())).get(`${path}${search}`);
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain(message);
  });

  it.each([
    [
      'an unknown environment',
      new NotFoundError('Unknown environment "qa"'),
      404,
    ],
    ['a failed Git host', new UpstreamError('git fetch failed'), 502],
    ['a silent Git host', new UpstreamError('timed out', undefined, 504), 504],
  ])('answers %s with its status (%#)', async (_, error, status) => {
    const response = await request(app(jest.fn().mockRejectedValue(error))).get(
      `${path}?environment=qa`,
    );
    expect(response.status).toBe(status);
  });
});
