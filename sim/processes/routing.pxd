cimport cython

from sim.model.station cimport Station

cdef class Router:
    cdef public object env, cal, district, satisfaction, fallback, log, work, work_log, hooks
    cdef object _entering
    cdef public list stages, g_dept, g_missing, g_minutes, table, last
    cdef public list task_desks, w_time, w_comm, w_left, w_done
    cdef public Py_ssize_t n, task_unit, _next_demand, _next_work
    cdef public double chunk
    cdef readonly const short[:] group
    cdef readonly const int[:] comm, street, resident, first
    cdef readonly const int[:] s_unit, s_level, s_cls, s_balk, s_item, s_dist
    cdef readonly const double[:] s_minutes
    cdef readonly const signed char[:] s_outsource, terminal
    cdef readonly int[:] stage, k
    cdef readonly const double[:] u_service, u_route
    cdef readonly double[:] t_arrive, first_start, finish, wait, queued, served
    cdef readonly double[:] staff_minutes, handling_yuan
    cdef readonly double[:, :] between
    cdef readonly double[:] sat_values
    cdef readonly short[:] trips, handoffs, visits
    cdef readonly signed char[:] outcome
    cdef dict __dict__

    @cython.locals(level=int, cls=int, balk=int, dept=Py_ssize_t, loc=Py_ssize_t, minutes=double, station=Station, last=Station)
    cpdef enter(self, Py_ssize_t i, Py_ssize_t sid)
    @cython.locals(item=Py_ssize_t, mean=double, dist=int, k=Py_ssize_t, u=double)
    cdef double _duration(self, Py_ssize_t i, Py_ssize_t sid) except? -1.0
    @cython.locals(cls=int, i=Py_ssize_t, t0=double)
    cpdef on_start(self, Station station, tuple entry, double now)
    @cython.locals(cls=int, i=Py_ssize_t, minutes=double)
    cpdef on_done(self, Station station, tuple entry)
    @cython.locals(sid=Py_ssize_t, k=Py_ssize_t, u=double, p=double, r=Py_ssize_t, target=Py_ssize_t, delay=double, now=double)
    cpdef advance(self, Py_ssize_t i, bint rework=*)
    @cython.locals(st=Station, left=double)
    cpdef _queue_work(self, Py_ssize_t j, bint first=*)
    @cython.locals(now=double)
    cpdef _later(self, Py_ssize_t i, Py_ssize_t sid, double delay, bint resident, int kind)
    @cython.locals(now=double, r=Py_ssize_t, v="double[:]")
    cpdef _end(self, Py_ssize_t i, int outcome)
