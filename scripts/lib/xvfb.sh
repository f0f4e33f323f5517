# Shared by the scripts that drive the app in a real window (gui_smoke,
# gui_crash, gui_frames): a virtual screen, a scratch home and runtime folder
# for the app, and clean-up when the script exits. Source it, then call
# start_xvfb DISPLAY [XVFB OPTION...]; it sets $display, $xvfb, $home and
# $runtime, and the script sets $app to the app's process id once started
# ($app_signal, default TERM, is how clean-up stops it).

start_xvfb() {
  display=$1
  shift
  Xvfb "$display" -screen 0 1920x1080x24 -nolisten tcp "$@" >/dev/null 2>&1 &
  xvfb=$!
  home=$(mktemp -d)
  runtime=$(mktemp -d)
  app=
  trap stop_xvfb EXIT
  sleep 1
}

stop_xvfb() {
  [ -n "$app" ] && kill -"${app_signal:-TERM}" "$app" 2>/dev/null || true
  kill "$xvfb" 2>/dev/null || true
  rm -rf "$home" "$runtime"
}

# wait_for SECONDS COMMAND...: runs COMMAND every half second until it
# succeeds; after SECONDS, says what it waited for, prints the app's log
# ($home/log) and exits 1.
wait_for() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    if [ $SECONDS -ge $deadline ]; then
      echo "$(basename "$0"): timed out waiting for: $*" >&2
      cat "$home/log" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.5
  done
}
