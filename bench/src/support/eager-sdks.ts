/**
 * Preloaded (`node --import <this> app.js`) to play the apps as they were before the
 * cloud SDKs were loaded on first use: Pub/Sub, Cloud Storage and google-auth-library
 * are loaded before the app starts, as its imports used to load them.
 */
import { createRequire } from 'node:module';
import { APPS } from './paths.js';

const load = createRequire(APPS.worker);
load('@google-cloud/pubsub');
load('@google-cloud/storage');
load('google-auth-library');
