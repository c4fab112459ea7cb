import { buildApp } from '../build-app.js';

// Environment-agnostic on purpose: synth needs no AWS credentials or lookups, and deploy targets the CLI profile's
// account and region.
buildApp();
