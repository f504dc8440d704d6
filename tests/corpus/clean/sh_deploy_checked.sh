#!/bin/bash
# Deploy the current release to every web node; stop at the first failure.
set -euo pipefail

RELEASE=${1:?usage: deploy.sh RELEASE}

for node in web1 web2 web3; do
  echo "deploying $RELEASE to $node"
  scp "dist/$RELEASE.tgz" "deploy@$node:/srv/releases/"
  ssh "deploy@$node" "tar -xzf /srv/releases/$RELEASE.tgz -C /srv/app && systemctl restart app"
  ssh "deploy@$node" "curl -fsS --retry 5 --retry-connrefused http://127.0.0.1:8000/health"
done

echo "deployed $RELEASE"
