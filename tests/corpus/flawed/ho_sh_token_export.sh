#!/usr/bin/env bash
set -euo pipefail
# Publish the package to the internal registry.

export NPM_TOKEN=npm_8fJ2kLq9ZxT4vB7nR1mW3cY6dH0sA5pE
npm config set //registry.internal.example/:_authToken "$NPM_TOKEN"

npm ci
npm run build
npm publish --registry https://registry.internal.example/
