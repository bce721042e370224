# bash completion for mpop(1)                           -*- shell-script -*-

_mpop_accounts()
{
	local f=${MKIT_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/mkit/config}
	[[ -r $f ]] || f=$HOME/.mpoprc
	[[ -r $f ]] && awk '$1 == "account" && $2 != "default" { print $2 }' "$f"
}

_mpop()
{
	local cur prev words cword split
	_init_completion -s || return

	case $prev in
	-C | --config | --file | --tls-trust-file | --tls-cert-file | \
	--tls-key-file | --uidls-file)
		_filedir
		return ;;
	--tls | --tls-starttls | --tls-certcheck | --allow-plaintext-auth | \
	-k | --keep | -n | --only-new | --received-header)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		return ;;
	--auth)
		COMPREPLY=($(compgen -W "on off user apop plain login cram-md5
			digest-md5 scram-sha-1 scram-sha-256 xoauth2 oauthbearer" \
			-- "$cur"))
		return ;;
	--pipelining)
		COMPREPLY=($(compgen -W "auto on off" -- "$cur"))
		return ;;
	--delivery)
		COMPREPLY=($(compgen -W "maildir, mbox, mda," -- "$cur"))
		compopt -o nospace
		return ;;
	--tls-min-version)
		COMPREPLY=($(compgen -W "1.2 1.3" -- "$cur"))
		return ;;
	--host | --proxy-host)
		_known_hosts_real -- "$cur"
		return ;;
	--port | --user | --passwordeval | --domain | --timeout | \
	--connect-timeout | --proxy-port | --tls-fingerprint | --killsize | \
	--skipsize | --session-limit)
		return ;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-s -S -P -a -C -k -n -q -v -d -h
			--status-only --serverinfo --init-state --print-state
			--all-accounts --config= --file= --delivery= --stdout --keep
			--only-new --killsize= --skipsize= --uidls-file=
			--received-header --pipelining= --session-limit= --host=
			--port= --tls --tls-starttls --tls-trust-file=
			--tls-fingerprint= --tls-certcheck --tls-cert-file=
			--tls-key-file= --tls-min-version= --auth --user=
			--passwordeval= --allow-plaintext-auth --domain= --timeout=
			--connect-timeout= --proxy-host= --proxy-port= --quiet --json
			--verbose --help --version' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	else
		COMPREPLY=($(compgen -W "$(_mpop_accounts)" -- "$cur"))
	fi
} && complete -F _mpop mpop
