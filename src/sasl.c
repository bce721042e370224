/*
 * sasl.c: SASL client over libgsasl, plus XOAUTH2, OAUTHBEARER and LOGIN.
 * Stub: the contract is in sasl.h; the implementation follows.
 */
#include "config.h"

#include <stdlib.h>

#include "sasl.h"

const char *
sasl_choose(const char *offered, const char *wanted, unsigned flags,
	struct err *e)
{
	err_set(e, ERR_SOFTWARE, "sasl: not implemented yet");
	return NULL;
}

int
sasl_mech_supported(const char *name)
{
	return 0;
}

int
sasl_mech_is_plaintext(const char *name)
{
	return 0;
}

struct sasl *
sasl_new(const char *mech, const struct sasl_creds *c, struct err *e)
{
	err_set(e, ERR_SOFTWARE, "sasl: not implemented yet");
	return NULL;
}

void
sasl_free(struct sasl *s)
{
}

const char *
sasl_mech(const struct sasl *s)
{
	return "";
}

int
sasl_start(struct sasl *s, int can_ir, char **ir, struct err *e)
{
	return err_set(e, ERR_SOFTWARE, "sasl: not implemented yet");
}

int
sasl_step(struct sasl *s, const char *challenge, char **resp, struct err *e)
{
	return err_set(e, ERR_SOFTWARE, "sasl: not implemented yet");
}

int
sasl_success(struct sasl *s, const char *extra, struct err *e)
{
	return err_set(e, ERR_SOFTWARE, "sasl: not implemented yet");
}

int
sasl_server_verified(const struct sasl *s)
{
	return 0;
}

const char *
sasl_failure_detail(const struct sasl *s)
{
	return "";
}

const char *
sasl_transcript_text(const char *resp)
{
	return "<redacted>";
}

int
sasl_global_init(struct err *e)
{
	return 0;
}

void
sasl_global_done(void)
{
}
