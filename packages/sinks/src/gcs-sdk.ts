import { createRequire } from 'node:module';
import type * as StorageSdk from '@google-cloud/storage';

let loaded: typeof StorageSdk | undefined;

/**
 * The Cloud Storage SDK, loaded on first use rather than at import: it takes a large
 * share of a second to load, and `--help`, argument errors and runs on a local folder
 * never need it. Only a gs:// sink (or a test of one) calls this.
 */
export function storageSdk(): typeof StorageSdk {
  loaded ??= createRequire(import.meta.url)('@google-cloud/storage') as typeof StorageSdk;
  return loaded;
}
