"""Reading /proc: a process's CPU time, context switches and status fields (Linux)"""
import glob
import os


def status(pid):
    """The ``Name: value`` fields of /proc/<pid>/status"""
    return status_file('/proc/%d/status' % pid)


def cpu_seconds(pid):
    """utime + stime of ``pid`` (all its threads), in seconds (clock-tick resolution)"""
    with open('/proc/%d/stat' % pid) as stat:
        fields = stat.read().rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12])) / float(os.sysconf('SC_CLK_TCK'))


def context_switches(pid):
    """``(voluntary, involuntary)`` context switches of all threads of ``pid``"""
    voluntary = involuntary = 0
    for path in glob.glob('/proc/%d/task/*/status' % pid):
        try:
            fields = status_file(path)
        except (IOError, OSError):
            continue  # the thread ended meanwhile
        voluntary += int(fields.get('voluntary_ctxt_switches', 0))
        involuntary += int(fields.get('nonvoluntary_ctxt_switches', 0))
    return voluntary, involuntary


def status_file(path):
    fields = {}
    with open(path) as lines:
        for line in lines:
            key, _, value = line.partition(':')
            fields[key] = value.strip()
    return fields
