# peers.sh - sourced by check.sh, compare.sh and run_peers.sh: how to run
# each benchmark peer, and which are available on this machine.
#   peer_cmd NAME TABLES_DIR   prints the command line (reads stdin)
#   PEERS                      the peers whose tools are installed
PEERS_DIR=$(cd "$(dirname "$0")" && pwd)/peers
[ -d "$PEERS_DIR" ] || PEERS_DIR=$(cd "$(dirname "$0")" && pwd)

peer_cmd() {
  case $1 in
    jq)   echo "jq -nc --rawfile docs $2/false_documents.csv --rawfile contacts $2/false_contacts.csv -f $PEERS_DIR/cars.jq" ;;
    lua)  echo "luajit $PEERS_DIR/cars.lua $2" ;;
    node) echo "node $PEERS_DIR/node/route.js $2" ;;
  esac
}

PEERS=""
command -v jq >/dev/null 2>&1 && PEERS="$PEERS jq"
command -v luajit >/dev/null 2>&1 && luajit -e 'require("cjson")' 2>/dev/null && PEERS="$PEERS lua"
command -v node >/dev/null 2>&1 && [ -d "$PEERS_DIR/node/node_modules/json-rules-engine" ] && PEERS="$PEERS node"
