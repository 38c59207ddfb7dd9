# Shared by the setup scripts (sourced, not run).

# Runs a command without the variables npm hands to lifecycle scripts (`npm_config_*`,
# `npm_package_*`, `npm_lifecycle_*`, `npm_node_execpath`, `NODE`, `INIT_CWD`, ...). Under
# `npm run demo`/`npm test` a nested `npm install` inherits them, and npm reads
# `npm_config_user_agent` as its own user-agent setting: code-server's postinstall then reads
# the outer Node's version from it ("code-server currently requires node v24. We have detected
# that you are on node v20") although the nested npm runs on Node 24. So nested installs run
# as they would from a plain shell. npm writes these names in lower case; a user's own
# upper-case NPM_CONFIG_* settings (a registry mirror, a proxy) are kept.
#   without_npm_env npm install ...
without_npm_env() {
  local unset_args=() v
  for v in $(compgen -e); do
    case $v in
      npm_*|NODE|INIT_CWD) unset_args+=(-u "$v") ;;
    esac
  done
  env "${unset_args[@]}" "$@"
}
