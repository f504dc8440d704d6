#!/bin/bash
# Deploy the current release to every web node.

RELEASE=$1

for node in web1 web2 web3; do
  scp "dist/$RELEASE.tgz" "deploy@$node:/srv/releases/" 2>/dev/null || true
  ssh "deploy@$node" "tar -xzf /srv/releases/$RELEASE.tgz -C /srv/app" > /dev/null 2>&1 || true
  ssh "deploy@$node" "systemctl restart app" > /dev/null 2>&1 || true
done

echo "deployed $RELEASE"
