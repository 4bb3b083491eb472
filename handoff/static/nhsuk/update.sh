#!/usr/bin/env bash
# Vendor nhsuk-frontend's built CSS, JS and the images the CSS uses into this folder.
# Run by hand when upgrading (needs npm and the npm registry); nothing runs it at build, CI or run time.
#   bash handoff/static/nhsuk/update.sh 10.6.1
# Two edits keep the staff pages self-contained under their CSP (default-src 'self'):
#   - the @font-face rules are dropped: they load the licensed Frutiger font from assets.nhs.uk;
#     without them the design system's own font stack falls back to Arial;
#   - image URLs point beside the CSS (url(images/...)) instead of the package's /assets/images/.
# The source-map comments go too, as the maps are not vendored.
set -euo pipefail
VERSION="${1:?usage: update.sh VERSION (e.g. 10.6.1)}"
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

(cd "$WORK" && npm pack --silent "nhsuk-frontend@$VERSION" >/dev/null && tar xzf nhsuk-frontend-*.tgz)
DIST="$WORK/package/dist/nhsuk"
grep -q '"license": "MIT"' "$WORK/package/package.json" || { echo "licence is no longer MIT: check LICENCE" >&2; exit 1; }

sed -E -e 's/@font-face\{[^}]*\}//g' -e 's#url\(/assets/images/#url(images/#g' \
    -e 's#/\*[#] sourceMappingURL=[^*]*\*/##' "$DIST/nhsuk-frontend.min.css" > "$HERE/nhsuk-frontend.min.css"
sed -e 's#//[#] sourceMappingURL=.*$##' "$DIST/nhsuk-frontend.min.js" > "$HERE/nhsuk-frontend.min.js"

rm -rf "$HERE/images" && mkdir -p "$HERE/images"
for image in $(grep -oE 'url\(images/[^)]+\)' "$HERE/nhsuk-frontend.min.css" | sed -E 's/url\(images\/(.*)\)/\1/' | sort -u) \
             favicon.ico favicon.svg; do
  cp "$DIST/assets/images/$image" "$HERE/images/$image"
done

if grep -qE 'https?://' "$HERE/nhsuk-frontend.min.css"; then
  echo "the CSS still refers to another site: extend the edits above" >&2; exit 1
fi
sed -i -E "s/^Version: .*/Version: $VERSION/" "$HERE/README.md"
echo "nhsuk-frontend $VERSION vendored into $HERE"
