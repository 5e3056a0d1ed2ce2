/** Set by the build (scripts/lib/web-app-build.ts): `<package version>+<sources fingerprint>` and the mount path. */
declare const __APP_VERSION__: string;
declare const __APP_BASE__: string;
