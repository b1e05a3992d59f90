/*
 * Gives the free memory inside glibc's heap back to the kernel: malloc_trim(0), which Node has no
 * way to call. glibc returns memory by itself only from the top of its heap, so after a load the
 * free chunks between small surviving blocks stay resident (bench/SOAK.md). Elsewhere (musl,
 * macOS, Windows) there is nothing to trim and the call answers false.
 * Built at install when a C compiler is present; the broker runs the same without it.
 */
#include <stdlib.h>
#include <node_api.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

static napi_value MallocTrim(napi_env env, napi_callback_info info) {
  (void)info;
  int released = 0;
#if defined(__GLIBC__)
  released = malloc_trim(0);
#endif
  napi_value result;
  napi_get_boolean(env, released != 0, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  napi_create_function(env, "mallocTrim", NAPI_AUTO_LENGTH, MallocTrim, NULL, &fn);
  napi_set_named_property(env, exports, "mallocTrim", fn);
  return exports;
}
