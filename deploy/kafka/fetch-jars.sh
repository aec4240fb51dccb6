#!/usr/bin/env bash
# Fetch the Kafka broker jars from Maven Central into a shared cache, once.
# Prints the libs directory on stdout (everything else goes to stderr).
#
#   HUB_CACHE        cache root (default ~/.cache/commerce-hub)
#   HUB_MAVEN_REPO   Maven local repository to use (default: Maven's own, ~/.m2/repository)
set -euo pipefail

KAFKA_VERSION=4.3.1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${HUB_CACHE:-$HOME/.cache/commerce-hub}"
version_dir="$cache_root/kafka/$KAFKA_VERSION"
libs="$version_dir/libs"

# libs/ only ever appears through an atomic rename of a complete download, so its presence means done.
if [[ -d "$libs" ]] && compgen -G "$libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
  echo "$libs"
  exit 0
fi

command -v mvn >/dev/null || { echo "fetch-jars: mvn not found on PATH (apt-get install -y maven)" >&2; exit 1; }
mkdir -p "$version_dir"

# Serialise concurrent fetchers (parallel test workers) so only one of them downloads; the others wait
# and then find libs/ filled. flock is optional: the temp-dir + rename below is safe without it.
if command -v flock >/dev/null; then
  exec 9>"$version_dir/.fetch.lock"
  flock 9
  if [[ -d "$libs" ]] && compgen -G "$libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
    echo "$libs"
    exit 0
  fi
fi

tmp="$(mktemp -d "$version_dir/libs.tmp.XXXXXX")"
chmod 755 "$tmp"  # mktemp makes it 0700; the cache is meant to be readable by any user
trap 'rm -rf "$tmp" "$tmp.mvn.log"' EXIT

mvn_args=(-q -B -f "$here/pom.xml" dependency:copy-dependencies
  "-DoutputDirectory=$tmp" -DincludeScope=runtime)
if [[ -n "${HUB_MAVEN_REPO:-}" ]]; then
  mvn_args+=("-Dmaven.repo.local=$HUB_MAVEN_REPO")
fi
echo "fetch-jars: resolving Kafka $KAFKA_VERSION jars into $libs" >&2
# Maven's output only matters when it fails; kept quiet otherwise so callers see one line.
if ! mvn "${mvn_args[@]}" >"$tmp.mvn.log" 2>&1; then
  cat "$tmp.mvn.log" >&2
  rm -f "$tmp.mvn.log"
  exit 1
fi
rm -f "$tmp.mvn.log"

if ! compgen -G "$tmp/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
  echo "fetch-jars: Maven finished but kafka_2.13-$KAFKA_VERSION.jar is missing in $tmp" >&2
  exit 1
fi

# rename(2) onto a non-empty directory fails, so if another fetcher won the race we keep its copy.
if ! mv -T "$tmp" "$libs" 2>/dev/null; then
  [[ -d "$libs" ]] || { echo "fetch-jars: could not move $tmp to $libs" >&2; exit 1; }
fi
echo "$libs"
