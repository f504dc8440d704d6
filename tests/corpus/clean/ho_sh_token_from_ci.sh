#!/usr/bin/env bash
set -euo pipefail
# Publish the package to the internal registry. NPM_TOKEN comes from the CI secret store.

: "${NPM_TOKEN:?NPM_TOKEN must be provided by CI}"
npm config set //registry.internal.example/:_authToken "$NPM_TOKEN"

npm ci
npm run build
npm publish --registry https://registry.internal.example/
