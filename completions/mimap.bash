# bash completion for mimap(1)
_mimap()
{
	local cur prev words cword i cmd
	_init_completion || return
	local cmds="list status search fetch flag copy move expunge append create delete rename subscribe unsubscribe idle pull"
	local opts="--status --namespace --headers --partial --peek --maildir --all --layout --keep-local --push-deletes --flags --date --exec --interval -a --account -C --config --host --port --tls --tls-starttls --tls-trust-file --tls-fingerprint --tls-certcheck --tls-cert-file --tls-key-file --tls-min-version --auth --user --passwordeval --allow-plaintext-auth --domain --timeout --connect-timeout --proxy-host --proxy-port --json -v --verbose -h --help --version"
	case $prev in
	-C|--config|--tls-trust-file|--tls-cert-file|--tls-key-file)
		_filedir
		return
		;;
	--maildir)
		_filedir -d
		return
		;;
	--tls|--tls-starttls|--tls-certcheck|--allow-plaintext-auth)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		return
		;;
	--exec)
		COMPREPLY=($(compgen -c -- "$cur"))
		return
		;;
	--layout)
		COMPREPLY=($(compgen -W "maildir++ tree" -- "$cur"))
		return
		;;
	--tls-min-version)
		COMPREPLY=($(compgen -W "1.2 1.3" -- "$cur"))
		return
		;;
	--auth)
		COMPREPLY=($(compgen -W "on off plain login scram-sha-1 scram-sha-256 cram-md5 digest-md5 gssapi external xoauth2 oauthbearer" -- "$cur"))
		return
		;;
	-a|--account|--host|--port|--user|--passwordeval|--domain|--timeout|--connect-timeout|--proxy-host|--proxy-port|--partial|--flags|--date|--interval)
		return
		;;
	esac
	cmd=
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ $cur == --* || ( -z $cmd && $cur == -* ) ]]; then
		COMPREPLY=($(compgen -W "$opts" -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
		return
	fi
	if [[ -z $cmd ]]; then
		COMPREPLY=($(compgen -W "$cmds" -- "$cur"))
		return
	fi
	case $cmd in
	search)
		COMPREPLY=($(compgen -W "ALL ANSWERED BCC BEFORE BODY CC DELETED DRAFT FLAGGED FROM HEADER KEYWORD LARGER NEW NOT OLD ON OR RECENT SEEN SENTBEFORE SENTON SENTSINCE SINCE SMALLER SUBJECT TEXT TO UID UNANSWERED UNDELETED UNDRAFT UNFLAGGED UNKEYWORD UNSEEN" -- "$cur"))
		;;
	flag)
		COMPREPLY=($(compgen -W "+seen -seen +flagged -flagged +answered -answered +deleted -deleted +draft -draft" -- "$cur"))
		;;
	esac
}
complete -F _mimap mimap
