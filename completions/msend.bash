# bash completion for msend(1)                          -*- shell-script -*-

_msend_accounts()
{
	local f=${MKIT_CONFIG:-${XDG_CONFIG_HOME:-$HOME/.config}/mkit/config}
	[[ -r $f ]] || f=$HOME/.msmtprc
	[[ -r $f ]] && awk '$1 == "account" && $2 != "default" { print $2 }' "$f"
}

_msend()
{
	local cur prev words cword split
	_init_completion -s || return

	case $prev in
	-a | --account)
		COMPREPLY=($(compgen -W "$(_msend_accounts)" -- "$cur"))
		return ;;
	-C | --config | --file | -X | --logfile | --tls-trust-file | --tls-cert-file | \
	--tls-key-file | --aliases | --body-file | --html | --attach | --inline)
		_filedir
		return ;;
	--tls | --tls-starttls | --tls-certcheck | --remove-bcc-headers | \
	--undisclosed-recipients | --allow-plaintext-auth)
		COMPREPLY=($(compgen -W "on off" -- "$cur"))
		return ;;
	--auth)
		COMPREPLY=($(compgen -W "on off plain login cram-md5 digest-md5
			scram-sha-1 scram-sha-256 xoauth2 oauthbearer" -- "$cur"))
		return ;;
	--set-from-header)
		COMPREPLY=($(compgen -W "auto on off" -- "$cur"))
		return ;;
	--set-date-header | --set-msgid-header)
		COMPREPLY=($(compgen -W "auto off" -- "$cur"))
		return ;;
	--tls-min-version)
		COMPREPLY=($(compgen -W "1.2 1.3" -- "$cur"))
		return ;;
	--syslog)
		COMPREPLY=($(compgen -W "on off LOG_MAIL LOG_USER LOG_LOCAL0" -- "$cur"))
		return ;;
	-N | --dsn-notify)
		COMPREPLY=($(compgen -W "never success failure delay
			failure,delay success,failure,delay" -- "$cur"))
		return ;;
	-R | --dsn-return)
		COMPREPLY=($(compgen -W "full hdrs" -- "$cur"))
		return ;;
	--host | --proxy-host)
		_known_hosts_real -- "$cur"
		return ;;
	-f | -r | --from | -F | -V | --port | --user | --passwordeval | \
	--domain | --timeout | --connect-timeout | --proxy-port | \
	--tls-fingerprint | --to | --cc | --bcc | --subject | --reply-to | \
	--header)
		return ;;
	esac
	$split && return

	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W '-t -i -oi -f -r -F -N -R -V -a -C -X
			-bs -bp -bm -v -d -h
			--read-recipients --from= --read-envelope-from
			--dsn-notify= --dsn-return= --partial --account= --config= --file=
			--host= --port= --tls --tls-starttls --tls-trust-file=
			--tls-fingerprint= --tls-certcheck --tls-cert-file=
			--tls-key-file= --tls-min-version= --auth --user=
			--passwordeval= --allow-plaintext-auth --domain= --timeout=
			--connect-timeout= --proxy-host= --proxy-port=
			--set-from-header= --set-date-header= --set-msgid-header=
			--remove-bcc-headers --undisclosed-recipients --aliases=
			--logfile= --syslog --batch --probe --serverinfo --json
			-q --flush --flush-all --queue
			--verbose --help --version --to= --cc= --bcc= --subject=
			--reply-to= --header= --body-file= --html= --attach= --inline=
			--print' -- "$cur"))
		[[ ${COMPREPLY-} == *= ]] && compopt -o nospace
	fi
} && complete -F _msend msend sendmail
