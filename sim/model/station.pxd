cimport cython

from sim.model.wake cimport ArrayWakes

cdef class Station:
    cdef public object env, name, unit, level, rule, on_start, on_done, on_close, _done, _eid
    cdef public Py_ssize_t servers, free, present, days, day, busy_at, started
    cdef public bint is_open, after_hours, counting
    cdef public double staff_cost, cost_per_minute, sojourn, t_mark, day_end
    cdef public tuple queues
    cdef public list busy, idle
    cdef public ArrayWakes _wakes
    cdef dict __dict__

    @cython.locals(t0=double)
    cpdef _mark(self, double now)
    cdef _idle_over_midnight(self, double t0, double now)
    cdef _new_day(self, double now)
    @cython.locals(now=double)
    cpdef join(self, tuple entry, bint first=*)
    @cython.locals(dur=double)
    cdef _start(self, tuple entry, double now)
    @cython.locals(now=double)
    cpdef _finish(self, tuple entry)
    cdef _next(self, double now)
