// An observer must be callable with const iteration_event& and return void or
// observer_action; a callable returning int is rejected.
#include "lexalign/core/observer.hpp"

template <lexalign::observer F>
void run(F f) {
  lexalign::iteration_event ev{"x", 1, 0.0, 0.0};
  (void)lexalign::notify(f, ev);
}

void f() {
#ifdef LEXALIGN_FAILTEST
  run([](const lexalign::iteration_event&) { return 1; });
#else
  run([](const lexalign::iteration_event&) { return lexalign::observer_action::stop; });
#endif
}
