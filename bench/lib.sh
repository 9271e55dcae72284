# Shared by run.sh and pairs.sh (sourced): the benchmark's delivery, the
# servers' config and PostgreSQL access.

PG_BASE=${BENCH_PG:-postgres://postgres@127.0.0.1:5432/test?sslmode=disable}
SECRET=bench-s3cret
CHAT=inbox-group_bench
HOOK_PATH=/api/plugin/hookpoint.github/webhook/github

psql_q() { PGOPTIONS="-c client_min_messages=warning" psql "$PG_BASE" -v ON_ERROR_STOP=1 -qAtc "$1"; }

# schema_url SCHEMA: the database URL that selects SCHEMA.
schema_url() {
	local sep='?'
	[[ $PG_BASE == *\?* ]] && sep='&'
	echo "$PG_BASE${sep}search_path=$1"
}

# hookpoint_yaml PORT DATA_DIR: a server config with the GitHub plugin
# sending to the benchmark's chat; the secret comes from the environment.
hookpoint_yaml() {
	cat <<-YAML
		listen: 127.0.0.1:$1
		data_dir: $2
		plugins:
		  hookpoint.github:
		    config:
		      GITHUB_WEBHOOK_SECRET: \${env:GITHUB_WEBHOOK_SECRET}
		      NOTIFICATION_CHAT_KEY: $CHAT
	YAML
}
